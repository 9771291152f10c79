// ovh-api.md §3.2 and §7.14: AK 16 and AS 32 alphanumeric characters. Mangled secrets
// (pasted with spaces, quotes or line breaks) are refused on input rather than failing
// later as INVALID_SIGNATURE.
export const APP_KEY_PATTERN = /^[A-Za-z0-9]{16}$/;
export const APP_SECRET_PATTERN = /^[A-Za-z0-9]{32}$/;

export interface KeyFormatProblem {
  field: 'appKey' | 'appSecret';
  problem: string;
}

export function checkApplicationKeyFormat(appKey: string, appSecret: string): KeyFormatProblem[] {
  const problems: KeyFormatProblem[] = [];
  if (!APP_KEY_PATTERN.test(appKey)) {
    problems.push({
      field: 'appKey',
      problem: 'must be 16 letters or digits (the OVHcloud application key)',
    });
  }
  if (!APP_SECRET_PATTERN.test(appSecret)) {
    problems.push({
      field: 'appSecret',
      problem: 'must be 32 letters or digits (the OVHcloud application secret)',
    });
  }
  return problems;
}
