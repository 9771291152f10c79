import { useState } from 'preact/hooks';
import type { RouteProps } from '../app';
import { SecuritySettings, Vault } from '../api/endpoints';
import { Button, Card, DefinitionList, ErrorBanner, Loading, PageHeader } from '../components/ui';
import { notify } from '../lib/announce';
import { useAsync } from '../lib/hooks';

export function SecuritySettingsPage(_props: RouteProps) {
  const settings = useAsync(() => SecuritySettings.get(), []);
  const vault = useAsync(() => Vault.status(), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <PageHeader title="Security" subtitle="Sign-in policy and the state of the key vault." />
      <Card title="Sign-in policy">
        <ErrorBanner error={settings.error ?? error} />
        {!settings.data ? (
          <Loading />
        ) : (
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              const form = e.currentTarget as HTMLFormElement;
              const require2fa = (form.elements.namedItem('require2fa') as HTMLInputElement).checked;
              setBusy(true);
              setError(null);
              try {
                settings.setData(await SecuritySettings.update({ require2fa }));
                notify('Security settings saved');
              } catch (err) {
                setError(err);
              } finally {
                setBusy(false);
              }
            }}
          >
            <label class="check">
              <input type="checkbox" name="require2fa" defaultChecked={settings.data.require2fa} />
              Require two-factor authentication for every operator
            </label>
            <p class="hint">Operators without a second factor can then only enrol one after signing in.</p>
            <div class="form-actions" style={{ justifyContent: 'flex-start' }}>
              <Button type="submit" variant="primary" busy={busy}>
                Save
              </Button>
            </div>
          </form>
        )}
      </Card>
      <Card title="Vault">
        <ErrorBanner error={vault.error} title="Vault status unavailable" />
        {vault.data && (
          <DefinitionList
            items={Object.entries(vault.data).map(([k, v]): [string, preact.ComponentChildren] => [
              k,
              typeof v === 'object' ? <code>{JSON.stringify(v)}</code> : String(v),
            ])}
          />
        )}
      </Card>
    </>
  );
}
