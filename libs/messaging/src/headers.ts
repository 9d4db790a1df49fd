/** Headers this project puts on JetStream messages. */
export const HDR = {
  correlationId: 'Ue-Correlation-Id',
  tenantId: 'Ue-Tenant-Id',
  dlqReason: 'Ue-Dlq-Reason',
  dlqCode: 'Ue-Dlq-Code',
  dlqOriginalSubject: 'Ue-Dlq-Original-Subject',
  dlqStreamSeq: 'Ue-Dlq-Stream-Seq',
  dlqConsumer: 'Ue-Dlq-Consumer',
  dlqDeliveries: 'Ue-Dlq-Deliveries',
  dlqFailedAt: 'Ue-Dlq-Failed-At',
} as const;
