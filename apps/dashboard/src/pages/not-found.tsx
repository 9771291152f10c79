import { PageHeader } from '../components/ui';
import { Link } from '../lib/router';

export function NotFoundPage(props: { forbidden?: boolean }) {
  return (
    <>
      <PageHeader title={props.forbidden ? 'Administrators only' : 'Page not found'} />
      <p>
        {props.forbidden
          ? 'This page is for administrators. Ask one if you need access.'
          : 'There is nothing at this address.'}{' '}
        <Link href="/accounts">Back to accounts</Link>.
      </p>
    </>
  );
}
