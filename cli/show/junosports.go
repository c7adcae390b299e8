package show

import "strconv"

// junosPorts are the port names JunOS prints (and takes in firewall
// filters): `bgp(179)`. Where TCP and UDP differ on a number the UDP
// name is in junosUDPPorts.
var junosPorts = map[uint16]string{
	20: "ftp-data", 21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp", 49: "tacacs", 53: "domain",
	65: "tacacs-ds", 67: "bootps", 68: "bootpc", 69: "tftp", 79: "finger", 80: "http", 88: "kerberos-sec",
	110: "pop3", 111: "sunrpc", 113: "ident", 119: "nntp", 123: "ntp", 137: "netbios-ns", 138: "netbios-dgm",
	139: "netbios-ssn", 143: "imap", 161: "snmp", 162: "snmptrap", 177: "xdmcp", 179: "bgp", 389: "ldap",
	434: "mobileip-agent", 435: "mobilip-mn", 443: "https", 444: "snpp", 512: "exec", 513: "login",
	514: "cmd", 515: "printer", 517: "talk", 518: "ntalk", 520: "rip", 525: "timed", 543: "klogin",
	544: "kshell", 639: "msdp", 646: "ldp", 754: "krb-prop", 760: "krbupdate", 761: "kpasswd",
	1080: "socks", 1483: "afs", 1723: "pptp", 1812: "radius", 1813: "radacct", 2049: "nfsd",
	2102: "zephyr-srv", 2103: "zephyr-clt", 2104: "zephyr-hm", 2105: "eklogin", 2106: "ekshell",
	2108: "rkinit", 2401: "cvspserver",
}

var junosUDPPorts = map[uint16]string{512: "biff", 513: "who", 514: "syslog"}

// junosPort is a port as JunOS prints it: name(number) when it has a
// name, the number otherwise; ICMP's type/code and portless protocols
// stay numbers.
func junosPort(proto uint8, port uint16) string {
	if proto == 17 {
		if n, ok := junosUDPPorts[port]; ok {
			return n + "(" + strconv.Itoa(int(port)) + ")"
		}
	}
	if proto == 6 || proto == 17 || proto == 132 {
		if n, ok := junosPorts[port]; ok {
			return n + "(" + strconv.Itoa(int(port)) + ")"
		}
	}
	return strconv.Itoa(int(port))
}
