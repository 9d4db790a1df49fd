const { Client } = require('pg');
(async () => {
  const role = process.argv[3] || 'ue_scorer';
  const c = new Client({ connectionString: `postgres://${role}@127.0.0.1:5432/ue_bench_score` });
  await c.connect();
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/ue_bench_score' });
  await admin.connect();
  const tenant = (await admin.query('select id from tenants order by id limit 1')).rows[0].id;
  const n = +process.argv[2] || 100;
  const variants = {
    json_notexists: (rows) => [`insert into ml_predictions (tenant_id, claim_id, model_type, model_version, predicted_value, confidence, predicted_at)
       select $1, p.claim_id, p.model_type, p.model_version, p.predicted_value, p.confidence, p.predicted_at
         from jsonb_to_recordset(cast($2 as jsonb)) as p(claim_id uuid, model_type text, model_version int, predicted_value text, confidence float8, predicted_at timestamptz)
        where not exists (select 1 from ml_predictions m where m.claim_id = p.claim_id and m.model_type = p.model_type)
       on conflict (claim_id, model_type, model_version) do nothing returning claim_id`, [tenant, JSON.stringify(rows)]],
    json_plain: (rows) => [`insert into ml_predictions (tenant_id, claim_id, model_type, model_version, predicted_value, confidence, predicted_at)
       select $1, p.claim_id, p.model_type, p.model_version, p.predicted_value, p.confidence, p.predicted_at
         from jsonb_to_recordset(cast($2 as jsonb)) as p(claim_id uuid, model_type text, model_version int, predicted_value text, confidence float8, predicted_at timestamptz)`, [tenant, JSON.stringify(rows)]],
    unnest_notexists: (rows) => [`insert into ml_predictions (tenant_id, claim_id, model_type, model_version, predicted_value, confidence, predicted_at)
       select $1, p.claim_id, p.model_type, p.model_version, p.predicted_value, p.confidence, p.predicted_at
         from unnest($2::uuid[], $3::text[], $4::int[], $5::text[], $6::float8[], $7::timestamptz[]) as p(claim_id, model_type, model_version, predicted_value, confidence, predicted_at)
        where not exists (select 1 from ml_predictions m where m.claim_id = p.claim_id and m.model_type = p.model_type)
       on conflict (claim_id, model_type, model_version) do nothing returning claim_id`, [tenant, rows.map(r=>r.claim_id), rows.map(r=>r.model_type), rows.map(r=>r.model_version), rows.map(r=>r.predicted_value), rows.map(r=>r.confidence), rows.map(r=>r.predicted_at)]],
  };
  for (const [name, build] of Object.entries(variants)) {
    const ids = (await admin.query(`select id, filed_at from claims c where tenant_id = $1 and not exists (select 1 from ml_predictions p where p.claim_id = c.id) limit $2`, [tenant, n])).rows;
    const rows = []; for (const f of ids) for (const m of ['claim_outcome','timeline','churn_risk','assignment']) rows.push({ claim_id: f.id, model_type: m, model_version: 2, predicted_value: '23.4', confidence: 0.5, predicted_at: f.filed_at });
    await c.query('begin'); await c.query(`select set_config('app.tenant_id', $1, true)`, [tenant]);
    const [sql, params] = build(rows);
    const s = process.hrtime.bigint(); await c.query(sql, params); const ms = Number(process.hrtime.bigint() - s) / 1e6;
    await c.query('commit');
    console.log(name.padEnd(18), n, 'claims', ms.toFixed(1), 'ms');
  }
  await c.end(); await admin.end();
})();
