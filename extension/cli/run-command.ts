/** `isoscope run`: placeholder until its issue lands. */
import { UsageError } from './usage';

export async function runCommand(_args: string[]): Promise<number> {
  throw new UsageError('run is not built yet');
}
