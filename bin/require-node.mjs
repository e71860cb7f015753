// Loaded first by `npm start` (node --import): the operator's sources are TypeScript, which Node
// runs from release 24, and an older Node would otherwise stop with ERR_UNKNOWN_FILE_EXTENSION.
// Plain JavaScript on purpose: it must run on any Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `hubops needs Node 24 or newer, this is Node ${process.versions.node}: run PATH=$(hack/node.sh):$PATH npm start (hack/node.sh installs Node 24 into ~/.cache/hubops)\n`,
  );
  process.exit(1);
}
