// Structural view of @app/operators' Principal (accounts sits below operators in
// the module map, so it does not import it).
export interface AccountViewer {
  operatorId: string;
  role: 'admin' | 'operator' | 'auditor';
}

// Admin and auditor see every account; an operator only those assigned to them.
export function seesAllAccounts(viewer: AccountViewer): boolean {
  return viewer.role === 'admin' || viewer.role === 'auditor';
}
