begin;
select set_config('app.tenant_id', 'tenant_16_0', true);
explain (analyze, buffers, timing)
insert into ml_predictions (tenant_id, claim_id, model_type, model_version, predicted_value, confidence, predicted_at)
select 'tenant_16_0', c.id, m, 2, '23.4', 0.5, c.filed_at
  from (select id, filed_at from claims c where tenant_id = 'tenant_16_0' and not exists (select 1 from ml_predictions p where p.claim_id = c.id) limit 100) c
  cross join unnest(array['claim_outcome','timeline','churn_risk','assignment']) m
 where not exists (select 1 from ml_predictions x where x.claim_id = c.id and x.model_type = m)
on conflict (claim_id, model_type, model_version) do nothing;
rollback;
