const { Client } = require('pg');
const crypto = require('crypto');
(async () => {
  const c = new Client({ connectionString: 'postgres://ue_scorer@127.0.0.1:5432/ue_bench_score' });
  await c.connect();
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/ue_bench_score' });
  await admin.connect();
  const tenant = (await admin.query('select id from tenants order by id limit 1')).rows[0].id;
  const ids = (await admin.query(`select id from claims c where tenant_id = $1 and not exists (select 1 from ml_predictions p where p.claim_id = c.id) limit $2`, [tenant, +process.argv[2] || 25])).rows.map(r => r.id);
  const t = {};
  const time = async (name, sql, params) => { const s = process.hrtime.bigint(); const r = await c.query(sql, params); t[name] = (t[name] || 0) + Number(process.hrtime.bigint() - s) / 1e6; return r; };
  const evIds = ids.map(() => crypto.randomUUID());
  for (let rep = 0; rep < 1; rep++) {
    await time('begin', 'begin');
    await time('seen', `select event_id from processed_events where consumer = $1 and event_id = any(string_to_array($2, ',')::uuid[])`, ['scorer__claim_filed', evIds.join(',')]);
    await time('scope', `select set_config('app.tenant_id', $1, true)`, [tenant]);
    await time('tenant', 'select id from tenants where id = $1', [tenant]);
    const act = await time('active', `select model_type, model_version, baseline_accuracy, deployed_at, training_run_id, artifact_id from model_metadata where tenant_id = $1 and is_active order by model_type`, [tenant]);
    const feats = await time('claims', `select id, member_age, case_complexity, union_tenure_years, claim_type, department, priority, filed_at from claims where tenant_id = $1 and id = any(string_to_array($2, ',')::uuid[])`, [tenant, ids.join(',')]);
    const rows = []; for (const f of feats.rows) for (const m of ['claim_outcome','timeline','churn_risk','assignment']) rows.push({ claim_id: f.id, model_type: m, model_version: 2, predicted_value: 'x', confidence: 0.5, predicted_at: f.filed_at });
    await time('insert', `insert into ml_predictions (tenant_id, claim_id, model_type, model_version, predicted_value, confidence, predicted_at)
       select $1, p.claim_id, p.model_type, p.model_version, p.predicted_value, p.confidence, p.predicted_at
         from jsonb_to_recordset(cast($2 as jsonb)) as p(claim_id uuid, model_type text, model_version int, predicted_value text, confidence float8, predicted_at timestamptz)
        where not exists (select 1 from ml_predictions m where m.claim_id = p.claim_id and m.model_type = p.model_type)
       on conflict (claim_id, model_type, model_version) do nothing
       returning claim_id, model_type, model_version, predicted_value, confidence`, [tenant, JSON.stringify(rows)]);
    await time('inbox', `insert into processed_events (consumer, event_id, subject) select $1, x::uuid, $2 from unnest(string_to_array($3, ',')) as x on conflict do nothing returning event_id`, ['scorer__claim_filed', 'claim.filed', evIds.join(',')]);
    const vals = []; const params = [];
    evIds.forEach((id, i) => { const env = { id: crypto.randomUUID(), type: 'claim.scored', payload: { claimId: ids[i], predictions: rows.slice(0, 4) } }; params.push(env.id, 'scorer', 'claim.scored', JSON.stringify(env)); vals.push(`($${params.length - 3}, $${params.length - 2}, $${params.length - 1}, $${params.length})`); });
    await time('outbox', `insert into outbox (id, source, subject, envelope) values ${vals.join(', ')}`, params);
    await time('commit', 'commit');
  }
  const total = Object.values(t).reduce((a, b) => a + b, 0);
  console.log(ids.length, 'claims', Object.entries(t).map(([k, v]) => `${k} ${v.toFixed(2)}`).join('  '), ' total', total.toFixed(1), 'ms');
  await c.end(); await admin.end();
})();
