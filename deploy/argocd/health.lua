-- Argo CD health of a hubops resource (HubUser, HubGroup, HubServer, HubToken, Hub), from the
-- Ready condition the operator writes for the current generation. Lua 5.1, as Argo CD's
-- gopher-lua runs it; the same script for every kind (argocd-cm.yaml registers it per kind).
--   Healthy      Ready is True for the current generation
--   Suspended    the hubops.io/paused annotation stops hub writes
--   Progressing  not yet reconciled, or Ready False for a reason that resolves by itself
--   Degraded     Ready False for a reason that needs a person; the message is the operator's
local hs = {}

-- Ready False reasons that pass without anyone acting (README, "Ready and Synced").
local passing = {
  MembersPending = true,
  UserMissing = true,
  Starting = true,
  Stopping = true,
  SpawnThrottled = true,
  RateLimited = true,
  HubBusy = true,
  StaleSnapshot = true,
  HubNotReady = true,
}

local annotations = obj.metadata.annotations
if annotations ~= nil and annotations["hubops.io/paused"] == "true" then
  hs.status = "Suspended"
  hs.message = "Paused: the hubops.io/paused annotation stops hub writes"
  return hs
end

local status = obj.status
if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator"
  return hs
end
if status.observedGeneration ~= obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to reconcile generation " .. tostring(obj.metadata.generation)
  return hs
end

local ready = nil
for _, condition in ipairs(status.conditions) do
  if condition.type == "Ready" then
    ready = condition
  end
end
if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator"
  return hs
end

local reason = ready.reason or ""
local message = ready.message or ""
if ready.status == "True" then
  hs.status = "Healthy"
elseif ready.status == "False" and not passing[reason] then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
end
if reason ~= "" then
  hs.message = reason .. ": " .. message
else
  hs.message = message
end
return hs
