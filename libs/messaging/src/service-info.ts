/** Which service this process is (consumer names, outbox source, logs, metrics). */
export class ServiceInfo {
  constructor(readonly name: string) {}
}
