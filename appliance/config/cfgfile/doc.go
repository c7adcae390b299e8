// Package cfgfile reads and writes configuration files in either dialect:
// Load and Parse take IOS or JunOS text, whichever it is (see
// junos.Detect), and Save writes IOS text atomically (config.WriteFile),
// with what IOS cannot say (JunOS firewall filters, J-Flow names) as
// trailing `flowtap junos set ...` lines that Parse and Salvage apply
// with the JunOS grammar.
//
// A startup-config at boot is read with Salvage: every good line applies
// and the refused ones are returned, as a router does; Parse and Load
// apply nothing when anything is wrong (SIGHUP, copy).
//
// Its tests check that both dialects and the model agree: round trips
// through every rendering, random configurations, fuzzing.
package cfgfile
