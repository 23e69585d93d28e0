-- Argo CD health check of a StreamJob (sluice.dev/StreamJob), for argocd-cm's
-- resource.customizations.health.sluice.dev_StreamJob. Argo CD runs it with gopher-lua (Lua 5.1),
-- without the string library; it reads only what the operator writes, no clock: the operator
-- re-evaluates checkpoint recency every poll and flips CheckpointHealthy, which changes the object
-- and makes Argo CD look again.
local function health(status, message)
  return { status = status, message = message }
end
if obj.status == nil then
  return health("Progressing", "Waiting for the operator to report status")
end
local status = obj.status
if status.observedGeneration == nil or obj.metadata.generation == nil or status.observedGeneration < obj.metadata.generation then
  return health("Progressing", "The operator has not yet acted on generation " .. tostring(obj.metadata.generation))
end

local conditions = {}
if status.conditions ~= nil then
  for _, c in ipairs(status.conditions) do
    conditions[c.type] = c
  end
end
local function isTrue(type)
  return conditions[type] ~= nil and conditions[type].status == "True"
end
local function said(type, fallback)
  if conditions[type] ~= nil and conditions[type].message ~= nil and conditions[type].message ~= "" then
    return conditions[type].message
  end
  return fallback
end
local phase = status.phase
local summary = status.message or phase or ""

-- Failed, an invalid spec, a pod that cannot run, a rolled-back upgrade: someone has to act.
if isTrue("Stalled") or phase == "Failed" or phase == "RolledBack" then
  return health("Degraded", said("Stalled", summary))
end
if phase == "Suspended" then
  return health("Suspended", summary)
end
if isTrue("Reconciling") then
  return health("Progressing", said("Reconciling", summary))
end
if phase == "Finished" then
  return health("Healthy", summary)
end
if phase == "Running" and isTrue("Ready") then
  local checkpoint = conditions["CheckpointHealthy"]
  if checkpoint ~= nil and checkpoint.status == "True" then
    return health("Healthy", summary .. "; " .. said("CheckpointHealthy", "checkpoints complete"))
  elseif checkpoint ~= nil and checkpoint.status == "False" then
    return health("Degraded", said("CheckpointHealthy", "Checkpoints are late"))
  end
  return health("Progressing", summary .. "; " .. said("CheckpointHealthy", "no checkpoint has completed yet"))
end
return health("Progressing", summary)
