/** `isoscope connect`: placeholder until its issue lands. */
import { UsageError } from './usage';

export async function connectCommand(_args: string[]): Promise<number> {
  throw new UsageError('connect is not built yet');
}
