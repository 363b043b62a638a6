// `npx plop` (plop's own CLI, without NODE_OPTIONS): plop loads this file, which lets Node import
// TypeScript (tsx, a devDependency) and hands plop the generators of plopfile.ts, the real plopfile.
import { register } from 'tsx/esm/api';

register();
const { default: plopfile } = await import('./plopfile.ts');
export default plopfile;
