import type { ComponentChildren } from 'preact';
import { useSubmit } from '../lib/hooks';
import { Button, Dialog, ErrorBanner } from './ui';

interface SubmitFormProps {
  // Runs on submit; a throw is shown in the form's ErrorBanner (role="alert").
  onSubmit: () => Promise<void>;
  submitLabel: ComponentChildren;
  submitVariant?: 'primary' | 'danger';
  errorTitle?: string;
  // What to do about a failure, under the error (e.g. per error code).
  errorHelp?: (error: unknown) => ComponentChildren;
  // Shown left of the submit button (e.g. Cancel); actions align left when there is none.
  onCancel?: () => void;
  disabled?: boolean;
  children: ComponentChildren;
  class?: string;
}

// A form with its busy state, its error and its actions: a page states the fields only.
export function SubmitForm(props: SubmitFormProps) {
  const submit = useSubmit(props.onSubmit);
  return (
    <form
      noValidate
      class={props.class}
      onSubmit={(e) => {
        e.preventDefault();
        if (!props.disabled) void submit.run();
      }}
    >
      <div aria-live="polite">
        <ErrorBanner error={submit.error} title={props.errorTitle} />
        {submit.error !== null && props.errorHelp?.(submit.error)}
      </div>
      {props.children}
      <div class="form-actions" style={props.onCancel ? undefined : { justifyContent: 'flex-start' }}>
        {props.onCancel && <Button onClick={props.onCancel}>Cancel</Button>}
        <Button
          type="submit"
          variant={props.submitVariant ?? 'primary'}
          busy={submit.busy}
          disabled={props.disabled}
        >
          {props.submitLabel}
        </Button>
      </div>
    </form>
  );
}

// A modal form (native <dialog>: focus trapped, Escape closes, focus restored).
export function FormDialog(
  props: Omit<SubmitFormProps, 'onCancel'> & {
    title: string;
    onClose: () => void;
    open?: boolean;
    wide?: boolean;
  },
) {
  const { title, onClose, open, wide, ...form } = props;
  return (
    <Dialog open={open ?? true} title={title} onClose={onClose} wide={wide}>
      <SubmitForm {...form} onCancel={onClose} />
    </Dialog>
  );
}

// A fieldset of checkboxes picking values out of a list.
export function CheckList(props: {
  legend: string;
  options: { value: string; label: ComponentChildren }[];
  picked: string[];
  onChange: (picked: string[]) => void;
}) {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label class="check" key={o.value}>
          <input
            type="checkbox"
            value={o.value}
            checked={props.picked.includes(o.value)}
            onChange={(e) =>
              props.onChange(
                (e.currentTarget as HTMLInputElement).checked
                  ? [...props.picked, o.value]
                  : props.picked.filter((v) => v !== o.value),
              )
            }
          />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}
