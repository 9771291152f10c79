import { createStore } from './store';

export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  text: string;
}

// Everything said here lands in an aria-live region, so screen-reader users
// hear the result of an action that happened away from their focus.
export const toasts = createStore<Toast[]>([]);
let next = 1;

export function notify(text: string, kind: Toast['kind'] = 'success', ms = 5000): void {
  const id = next++;
  toasts.update((list) => [...list.slice(-3), { id, kind, text }]);
  window.setTimeout(() => dismiss(id), kind === 'error' ? ms * 2 : ms);
}

export function dismiss(id: number): void {
  toasts.update((list) => list.filter((t) => t.id !== id));
}
