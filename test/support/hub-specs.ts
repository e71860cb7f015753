/** Hub specs the API tests share: the least a Hub needs, what the CRD fills in, and every field set. */

export const minimalHubSpec = { url: 'http://hub:8081/hub/api', tokenSecretRef: { name: 'hub' } };

/** What the CRD (and the zod schema) add to the minimal spec. */
export const hubSpecDefaults = {
  resyncSeconds: 300,
  requestBudget: { maxInFlight: 2, requestsPerSecond: 100, maxSpawnsInFlight: 64 },
};

export const fullHubSpec = {
  url: 'https://hub.example.org/hub/api',
  tokenSecretRef: { name: 'hub.tokens', key: 'hub.services.hubops.apiToken' },
  allowedNamespaces: ['physics-101', 'chem-201', 'staff'],
  adminNamespaces: ['staff'],
  adoptionNamespaces: [],
  resyncSeconds: 30,
  requestBudget: { maxInFlight: 8, requestsPerSecond: 0.5, maxSpawnsInFlight: 1 },
};
