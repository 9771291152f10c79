import { api } from './client';
import { type Me, session } from './session';

export async function loadMe(): Promise<Me> {
  const me = await api<Me>('/me');
  session.authenticated(me);
  return me;
}
