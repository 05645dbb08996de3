/** What a secret value is shown as in every report, summary, issue and output. */
export const MASK = '***';
