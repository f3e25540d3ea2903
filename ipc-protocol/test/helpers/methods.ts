// Methods used only by the tests, declared once like the real ones (and imported by both sides).
import { NotificationType, ParameterStructures, RequestType } from '../../src/index.js';

export interface EchoParams {
  readonly id: number;
  readonly payload?: string;
}

export const Echo = new RequestType<EchoParams, EchoParams, void>('test/echo', ParameterStructures.byName);
export const Hang = new RequestType<{ readonly id: number }, never, void>('test/hang', ParameterStructures.byName);
export const Event = new NotificationType<{ readonly seq: number }>('test/event');
export const Blob = new NotificationType<{ readonly seq: number; readonly bytes: Uint8Array }>('test/blob', ParameterStructures.byName);
