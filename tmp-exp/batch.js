const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');
const { batchesOf } = require('../dist/libs/messaging/src/batching.js');
(async () => {
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc); const js = jetstream(nc);
  const name = 'EXPBATCH' + process.pid;
  await jsm.streams.add({ name, subjects: [`expb${process.pid}.>`] });
  await jsm.consumers.add(name, { durable_name: 'c', ack_policy: AckPolicy.Explicit, max_ack_pending: 1000 });
  const ps = []; for (let i = 0; i < 3000; i++) ps.push(js.publish(`expb${process.pid}.x`, 'x'.repeat(200)));
  await Promise.all(ps);
  const c = await js.consumers.get(name, 'c');
  const msgs = await c.consume({ max_messages: +process.argv[2] || 400 });
  let n = 0; const sizes = [];
  for await (const b of batchesOf(msgs, 200, 0)) {
    sizes.push(b.length); n += b.length;
    await new Promise(r => setTimeout(r, 50));
    b.forEach(m => m.ack());
    if (n >= 3000) break;
  }
  console.log(sizes.join(' '));
  await jsm.streams.delete(name); await nc.close();
})();
