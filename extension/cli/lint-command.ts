/** `isoscope lint`: placeholder until its issue lands. */
import { UsageError } from './usage';

export async function lintCommand(_args: string[]): Promise<number> {
  throw new UsageError('lint is not built yet');
}
