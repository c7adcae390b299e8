// Package anon rewrites the addresses a flow record carries before it
// leaves the box, per export destination: truncation to a prefix length
// (Internet2 exports IPv4 addresses as /21s) or prefix-preserving
// pseudonymisation with Crypto-PAn (Xu, Fan, Ammar, Moon: "Prefix-
// Preserving IP Address Anonymization", ICNP 2002), keyed from the
// configuration. The CLI and SNMP never see these addresses: only the
// exporter calls a Scheme.
package anon
