import type { CreatedGrant } from '../api/types';
import {
  curlBearerSnippet,
  envSnippet,
  goSnippet,
  type GrantSecrets,
  nodeSnippet,
  pythonSnippet,
  relayEndpointGuess,
} from '../lib/snippets';
import { CopyableCode, Tabs } from './tabs';
import { Card, CopyField, SecretNotice } from './ui';

export function GrantSecretsPanel(props: { created: CreatedGrant }) {
  const c = props.created.credentials;
  const endpoint = (c.endpoint ?? props.created.endpoint ?? relayEndpointGuess()).replace(/\/$/, '');
  const s: GrantSecrets = { ...c, endpoint };
  return (
    <>
      <SecretNotice />
      <Card title="Credentials">
        <CopyField label="Endpoint (the relay)" value={endpoint} what="endpoint" />
        <div class="grid-2">
          <CopyField label="Application key" value={c.applicationKey} what="application key" />
          <CopyField
            label="Application secret"
            value={c.applicationSecret}
            secret
            what="application secret"
          />
          <CopyField label="Consumer key" value={c.consumerKey} secret what="consumer key" />
          <CopyField label="Bearer token" value={c.bearerToken} secret what="bearer token" />
        </div>
      </Card>
      <Card title="Ready-to-paste configuration">
        <Tabs
          label="Configuration snippets"
          tabs={[
            {
              id: 'env',
              label: 'Environment',
              content: <CopyableCode code={envSnippet(s)} what="environment variables" />,
            },
            {
              id: 'python',
              label: 'python-ovh',
              content: <CopyableCode code={pythonSnippet(s)} what="Python snippet" />,
            },
            {
              id: 'node',
              label: 'node ovh',
              content: <CopyableCode code={nodeSnippet(s)} what="Node snippet" />,
            },
            { id: 'go', label: 'go-ovh', content: <CopyableCode code={goSnippet(s)} what="Go snippet" /> },
            {
              id: 'curl',
              label: 'curl (bearer)',
              content: <CopyableCode code={curlBearerSnippet(s)} what="curl command" />,
            },
          ]}
        />
      </Card>
    </>
  );
}
