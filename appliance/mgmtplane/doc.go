// Package mgmtplane owns the management plane's lifecycle: the control
// socket (the flowtap CLI and the console), the SSH server, the SNMP agent
// and the NTP client. Each is a subscriber of the daemon.Manager's
// configuration changes: it starts, reconfigures or stops itself from what
// the running model says, and the adapters that turn the model into what
// mgmt/snmp and mgmt/ssh ask for (communities, USM users, receivers,
// accounts, access lists, SNMP Sets as model edits) live beside it.
//
// The daemon holds the configuration and the runtime; flowtapd's run()
// wires the two together and owns the process (locks, boot config,
// signals).
package mgmtplane
