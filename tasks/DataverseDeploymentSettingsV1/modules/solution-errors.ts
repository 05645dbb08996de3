/** The solution input cannot be read; the message says why, without the input name. */
export class SolutionReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SolutionReadError';
  }
}
