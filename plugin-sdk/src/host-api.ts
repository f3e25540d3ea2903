/**
 * What a plugin may ask of the proxy (admin actions of a management plugin), over the host's
 * connection. Requests go to the supervisor that launched the plugin; a plugin that is not
 * connected to one (yet) gets MOSN_ERR_PLUGIN_NOT_INITIALIZED.
 */
import { HostSetLogLevel } from '@mosn/ipc-protocol';
import type { MessageConnection, SetLogLevelParams, SetLogLevelResult } from '@mosn/ipc-protocol';
import { PLUGIN_SDK_ERROR_CODES, PluginSdkError } from './errors.js';

export interface HostApi {
  /** Sets the log level of the supervisor and every worker. */
  setLogLevel(level: SetLogLevelParams['level']): Promise<SetLogLevelResult>;
}

/** The host API over whichever host connection is current (the supervisor may reconnect). */
export class HostLink implements HostApi {
  #connection: MessageConnection | undefined;

  attach(connection: MessageConnection): void {
    this.#connection = connection;
    connection.onClose(() => {
      if (this.#connection === connection) this.#connection = undefined;
    });
  }

  async setLogLevel(level: SetLogLevelParams['level']): Promise<SetLogLevelResult> {
    const connection = this.#connection;
    if (connection === undefined) {
      throw new PluginSdkError(PLUGIN_SDK_ERROR_CODES.notInitialized, 'host/setLogLevel: expected a connected host (supervisor), found none');
    }
    return connection.sendRequest(HostSetLogLevel, { level });
  }
}
