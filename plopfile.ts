/**
 * node-plop wiring, kept thin: registers the custom action types and the
 * `service` generator. The CLI (generators/cli.ts) drives it with answers it
 * has already validated; nothing here prompts or decides.
 */
import type { NodePlopAPI } from 'node-plop';
import { gitAction, installAction, serviceGenerator, writeAction } from './generators/service.js';

export default function plopfile(plop: NodePlopAPI): void {
  plop.setActionType('pyservice:write', writeAction);
  plop.setActionType('pyservice:git', gitAction);
  plop.setActionType('pyservice:install', installAction);
  plop.setGenerator('service', serviceGenerator);
}
