package junos

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

func editBase(t *testing.T) *fakeBackend {
	t.Helper()
	base, err := junosconf.Parse("base", []byte(`set system host-name mx1
set snmp contact noc
set interfaces eth1 unit 0 family inet filter input F
set firewall family inet filter F term T1 then sample
set firewall family inet filter F term T1 then accept
set firewall family inet filter F term T2 from protocol tcp
set firewall family inet filter F term T2 then accept
annotate firewall family inet filter F term T2 "web"
`))
	if err != nil {
		t.Fatal(err)
	}
	return &fakeBackend{history: []config.Config{base}, dir: t.TempDir()}
}

// TestCopyRenameInsert: `copy X to Y` puts the statement again under the
// new name (its note too), `rename` moves it, `insert ... before|after`
// reorders a filter's terms; a statement the candidate lacks, a name
// taken or one the statement cannot have is refused and nothing changes.
// Before, all three were unknown commands.
func TestCopyRenameInsert(t *testing.T) {
	s := NewSession(editBase(t), "ops")
	transcript(s, "configure")
	got := transcript(s, `copy firewall family inet filter F to filter G
rename firewall family inet filter F term T2 to term T3
edit firewall family inet filter F
insert term T3 before term T1
top
copy interfaces eth1 to eth2
copy interfaces eth9 to eth3
copy interfaces eth1 to eth2
copy snmp to frob
insert firewall family inet filter F term T9 after term T1
show firewall
show interfaces`)
	want := `[edit]
ops@mx1# copy firewall family inet filter F to filter G

[edit]
ops@mx1# rename firewall family inet filter F term T2 to term T3

[edit]
ops@mx1# edit firewall family inet filter F

[edit firewall family inet filter F]
ops@mx1# insert term T3 before term T1

[edit firewall family inet filter F]
ops@mx1# top

[edit]
ops@mx1# copy interfaces eth1 to eth2

[edit]
ops@mx1# copy interfaces eth9 to eth3
error: statement not found: interfaces eth9

[edit]
ops@mx1# copy interfaces eth1 to eth2
error: statement already exists: interfaces eth2

[edit]
ops@mx1# copy snmp to frob
copy snmp to frob
             ^
syntax error.

[edit]
ops@mx1# insert firewall family inet filter F term T9 after term T1
error: statement not found: firewall family inet filter F term T9

[edit]
ops@mx1# show firewall
family inet {
    filter F {
        /* web */
        term T3 {
            from {
                protocol tcp;
            }
            then {
                accept;
            }
        }
        term T1 {
            then {
                sample;
                accept;
            }
        }
    }
    filter G {
        term T1 {
            then {
                sample;
                accept;
            }
        }
        /* web */
        term T2 {
            from {
                protocol tcp;
            }
            then {
                accept;
            }
        }
    }
}

[edit]
ops@mx1# show interfaces
eth1 {
    unit 0 {
        family inet {
            filter {
                input F;
            }
        }
    }
}
eth2 {
    unit 0 {
        family inet {
            filter {
                input F;
            }
        }
    }
}
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	if _, err := s.cand.Commit(); err != nil {
		t.Errorf("the candidate does not commit: %v", err)
	}
}

// TestDeleteLevelAndSave: `delete` alone asks Junos's question and, on
// yes, empties the edit level (no keeps it); `save FILE` writes the
// candidate below the level as brace text beside the startup-config,
// which `load merge FILE` reads back. Before, `delete` alone was a
// syntax error and `save` an unknown command.
func TestDeleteLevelAndSave(t *testing.T) {
	f := editBase(t)
	got := script(t, NewSession(f, "ops"), `configure
edit firewall family inet filter F
save filter-f.conf
top
edit snmp
delete

delete
yes
top
show snmp
delete firewall
show firewall
edit firewall family inet filter F
load merge filter-f.conf relative
top
show | compare
`)
	want := `Entering configuration mode

Wrote 15 lines of configuration to 'filter-f.conf'
Delete everything under this level? [yes,no] (no) 
Delete everything under this level? [yes,no] (no) 
load complete
[edit]
-   snmp {
-       contact noc;
-   }
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	b, err := os.ReadFile(filepath.Join(f.dir, "filter-f.conf"))
	if err != nil || len(b) == 0 || b[0] != 't' {
		t.Errorf("saved file: %v\n%s", err, b)
	}
}

// TestRunKeepsConfigurationMode: `run` takes the operational commands
// that look (with their pipes), not configure, exit or quit: before,
// `run configure` replaced the candidate with the committed
// configuration, losing the changes without a question, and `run exit`
// ended the session from configuration mode. A refused command gets its
// caret under the line as typed.
func TestRunKeepsConfigurationMode(t *testing.T) {
	s := NewSession(editBase(t), "ops")
	transcript(s, "configure\nset snmp contact x")
	got := transcript(s, `run configure
run exit
run show configuration snmp | match contact
run show frob
show | compare`)
	want := `
[edit]
ops@mx1# run configure
run configure
    ^
unknown command.

[edit]
ops@mx1# run exit
run exit
    ^
unknown command.

[edit]
ops@mx1# run show configuration snmp | match contact
contact noc;

[edit]
ops@mx1# run show frob
run show frob
         ^
syntax error, expecting <command>.

[edit]
ops@mx1# show | compare
[edit snmp]
-   contact noc;
+   contact x;
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	if s.ended {
		t.Error("run exit ended the session")
	}
	if help := (shell{s}).Help("run c"); len(help) != 2 || !strings.HasPrefix(help[1], "  clear") {
		t.Errorf("run c? lists %q", help)
	}
}

// TestCommitKeepsOthersCommits: two operators in configuration mode at
// once, each with a candidate of their own. Before, the second commit
// put back what the first had committed meanwhile (its candidate held
// the configuration from before); now the second's own changes go onto
// the configuration the first committed, as Junos merges a private
// candidate. When both changed the same statement the second commit is
// refused, its candidate kept, until rollback 0 starts it again.
func TestCommitKeepsOthersCommits(t *testing.T) {
	f := editBase(t)
	a, b := NewSession(f, "alice"), NewSession(f, "bob")
	transcript(a, "configure\nset snmp location lab")
	transcript(b, "configure\nset snmp contact bob\ncommit")
	got := transcript(a, "commit\nrun show configuration snmp")
	want := `
[edit]
alice@mx1# commit
commit complete

[edit]
alice@mx1# run show configuration snmp
location lab;
contact bob;
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	transcript(a, "set snmp contact alice")
	transcript(b, "set snmp contact carol\ncommit")
	got = transcript(a, "commit\nshow | compare\nrollback 0\nshow snmp")
	want = `
[edit]
alice@mx1# commit
[edit snmp]
  'contact bob;'
    statement not found
error: configuration database modified: a change of this candidate no longer applies to the configuration committed since (rollback 0 starts again from it)

[edit]
alice@mx1# show | compare
[edit snmp]
-   contact bob;
+   contact alice;

[edit]
alice@mx1# rollback 0
load complete

[edit]
alice@mx1# show snmp
location lab;
contact carol;
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	if c := f.Running().SNMP.Contact; c != "carol" {
		t.Errorf("running contact %q after the refused commit", c)
	}
}

// TestExitAsksOfOwnChangesOnly: leaving configuration mode asks about
// the session's own uncommitted changes, not about a commit another
// session made meanwhile (before, it said the configuration had been
// changed).
func TestExitAsksOfOwnChangesOnly(t *testing.T) {
	f := editBase(t)
	a, b := NewSession(f, "alice"), NewSession(f, "bob")
	transcript(a, "configure")
	transcript(b, "configure\nset snmp contact bob\ncommit and-quit")
	if got := a.Exec("exit"); got != "Exiting configuration mode\n" {
		t.Errorf("exit without changes of its own:\n%s", got)
	}
	transcript(a, "configure")
	transcript(b, "configure\nset snmp contact carol\ncommit and-quit")
	transcript(a, "set snmp location lab")
	if got := a.Exec("exit"); got != "The configuration has been changed but not committed\nExiting configuration mode\n" {
		t.Errorf("exit with changes of its own:\n%s", got)
	}
}

// TestDisplaySetRelativeAndRollbackHelp: `show | display set relative`
// at an edit level leaves the level's words out of the set lines (before,
// relative was ignored and a `display set frob` taken as display set),
// and `rollback ?` lists the configurations it can load with when and by
// whom each was committed (before, only <number>).
func TestDisplaySetRelativeAndRollbackHelp(t *testing.T) {
	s := NewSession(editBase(t), "ops")
	transcript(s, "configure\nset snmp location lab\ncommit")
	got := transcript(s, `edit snmp
show | display set relative
show | display set
show | display set frob
top
show firewall family inet filter F | display set relative`)
	want := `
[edit]
ops@mx1# edit snmp

[edit snmp]
ops@mx1# show | display set relative
set location lab
set contact noc

[edit snmp]
ops@mx1# show | display set
set snmp location lab
set snmp contact noc

[edit snmp]
ops@mx1# show | display set frob
error: display set frob is not supported (display set, inheritance, omit, json or xml)

[edit snmp]
ops@mx1# top

[edit]
ops@mx1# show firewall family inet filter F | display set relative
set term T1 then sample
set term T1 then accept
set term T2 from protocol tcp
set term T2 then accept
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	help := strings.Join(shell{s}.Help("rollback "), "\n")
	wantHelp := `Possible completions:
  <[Enter]>            Execute this command
  0                    2026-11-22 12:01:00 UTC by ops via cli
  1                    2026-11-22 11:00:00 UTC by root via other
  |                    Pipe through a command`
	if help != wantHelp {
		t.Errorf("rollback ?:\n%s\nwant:\n%s", help, wantHelp)
	}
}

// TestCompareShowsOwnChanges: show | compare is what this session's
// commit would change: its own changes, not another session's commit
// since, which it keeps. Before, the other's commit showed as undone.
func TestCompareShowsOwnChanges(t *testing.T) {
	f := editBase(t)
	a, b := NewSession(f, "alice"), NewSession(f, "bob")
	transcript(a, "configure\nset snmp location lab")
	transcript(b, "configure\nset snmp contact bob\ncommit and-quit")
	want := "[edit snmp]\n+   location lab;\n"
	if got := a.Exec("show | compare"); got != want {
		t.Errorf("show | compare:\n%s\nwant:\n%s", got, want)
	}
}

// TestCopyInsertHelp: `?` after copy, rename or insert names the
// configuration's statements, as after show, then offers the word that
// follows one (to; before or after). Before, it offered only
// <statement>.
func TestCopyInsertHelp(t *testing.T) {
	s := NewSession(editBase(t), "ops")
	transcript(s, "configure")
	got := strings.Join(shell{s}.Help("rename interfaces eth1 "), "\n")
	want := `Possible completions:
  apply-groups         Groups from which to inherit configuration data
  apply-groups-except  Don't inherit configuration data from these groups
  description          Text description of interface
  disable              Disable this interface
  no-traps             Don't enable SNMP notifications on state changes
  traps                Enable SNMP notifications on state changes
  unit                 Logical interface
  to                   Name the rename gives the statement`
	if got != want {
		t.Errorf("rename interfaces eth1 ?\n%s\nwant:\n%s", got, want)
	}
	got = strings.Join(shell{s}.Help("insert firewall family inet filter F term T2 "), "\n")
	if !strings.HasSuffix(got, "\n  after                Place after the entry named\n  before               Place before the entry named") || strings.Contains(got, "<[Enter]>") {
		t.Errorf("insert ... ?\n%s", got)
	}
	if got := (shell{s}).Complete("copy interf"); got != "copy interfaces " {
		t.Errorf("Tab after copy interf: %q", got)
	}
}

// TestExitQuitAndUpLevels: exit and quit go back to the level the last
// edit left (the top when none), then leave configuration mode; up
// climbs statements, not words (`unit 0`, `family inet` are one level
// each). Before, exit and up dropped one word (to [edit interfaces eth1
// unit], a level Junos has not) and quit at a level left configuration
// mode altogether.
func TestExitQuitAndUpLevels(t *testing.T) {
	s := NewSession(editBase(t), "ops")
	transcript(s, "configure")
	got := transcript(s, `edit firewall
edit family inet filter F
exit
quit
edit interfaces eth1 unit 0
up
up 5
edit firewall family inet filter F term T1
up 2
quit`)
	want := `[edit]
ops@mx1# edit firewall

[edit firewall]
ops@mx1# edit family inet filter F

[edit firewall family inet filter F]
ops@mx1# exit

[edit firewall]
ops@mx1# quit

[edit]
ops@mx1# edit interfaces eth1 unit 0

[edit interfaces eth1 unit 0]
ops@mx1# up

[edit interfaces eth1]
ops@mx1# up 5

[edit]
ops@mx1# edit firewall family inet filter F term T1

[edit firewall family inet filter F term T1]
ops@mx1# up 2

[edit firewall family inet]
ops@mx1# quit
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	if got := s.Exec("quit"); got != "Exiting configuration mode\n" {
		t.Errorf("quit at the top: %q", got)
	}
}

// TestPipeSave: `| save FILE` writes what the command and the stages
// before it print to the file beside the startup-config, in operational
// and configuration mode, and says how many lines; what it wrote loads
// back. Before, save was an unknown pipe command.
func TestPipeSave(t *testing.T) {
	f := editBase(t)
	s := NewSession(f, "ops")
	got := transcript(s, `show configuration firewall | save fw.conf
configure
show | display set | match snmp | save snmp.set
delete firewall
edit firewall
load merge fw.conf relative
top
show | compare`)
	want := `ops@mx1> show configuration firewall | save fw.conf
Wrote 19 lines of output to 'fw.conf'
ops@mx1> configure
Entering configuration mode

[edit]
ops@mx1# show | display set | match snmp | save snmp.set
Wrote 1 lines of output to 'snmp.set'

[edit]
ops@mx1# delete firewall

[edit]
ops@mx1# edit firewall

[edit firewall]
ops@mx1# load merge fw.conf relative
load complete

[edit firewall]
ops@mx1# top

[edit]
ops@mx1# show | compare
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	b, err := os.ReadFile(filepath.Join(f.dir, "snmp.set"))
	if err != nil || string(b) != "set snmp contact noc\n" {
		t.Errorf("snmp.set: %v %q", err, b)
	}
}

// TestReplacePattern: `replace pattern P with R` replaces what the
// regular expression matches in the identifiers and values at and below
// the edit level (an interface's name and description, a term's name and
// its note's path, \1 for a group), never a keyword; a bad expression or
// a missing with is refused. Before, replace was an unknown command.
func TestReplacePattern(t *testing.T) {
	s := NewSession(editBase(t), "ops")
	transcript(s, "configure\nset interfaces eth1 description \"uplink eth1\"")
	got := transcript(s, `replace pattern eth1 with eth2
edit firewall family inet filter F
replace pattern "T([0-9])" with "term-\1"
replace pattern inet with inet6
top
replace pattern "(" with x
replace pattern noc
show | display set`)
	want := `
[edit]
ops@mx1# replace pattern eth1 with eth2

[edit]
ops@mx1# edit firewall family inet filter F

[edit firewall family inet filter F]
ops@mx1# replace pattern "T([0-9])" with "term-\1"

[edit firewall family inet filter F]
ops@mx1# replace pattern inet with inet6

[edit firewall family inet filter F]
ops@mx1# top

[edit]
ops@mx1# replace pattern "(" with x
error: invalid regular expression "("

[edit]
ops@mx1# replace pattern noc
replace pattern noc
                    ^
syntax error, expecting with.

[edit]
ops@mx1# show | display set
set system host-name mx1
set flowtap platform cflowd
set interfaces eth2 description "uplink eth2"
set interfaces eth2 unit 0 family inet filter input F
set snmp contact noc
set firewall family inet filter F term term-1 then sample
set firewall family inet filter F term term-1 then accept
set firewall family inet filter F term term-2 from protocol tcp
set firewall family inet filter F term term-2 then accept
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	if got := s.Exec("show firewall family inet filter F"); !strings.Contains(got, "/* web */\nterm term-2 {") {
		t.Errorf("the note did not follow its term:\n%s", got)
	}
}

// TestWildcardDelete: `wildcard delete PATH REGEXP` lists the
// identifiers under PATH the expression matches in whole (eth1, eth2,
// not eth10), asks Junos's question and deletes them on yes (no keeps
// them); nothing matching, or no expression, is refused. Before,
// wildcard was an unknown command.
func TestWildcardDelete(t *testing.T) {
	s := NewSession(editBase(t), "ops")
	got := script(t, s, `configure
set interfaces eth2 unit 0 family inet filter input F
set interfaces eth10 description x
wildcard delete interfaces eth[0-9]
no
show | compare
wildcard delete interfaces eth[0-9]
yes
show interfaces
wildcard delete snmp zz
wildcard delete interfaces
`)
	want := `Entering configuration mode

  matched: eth1
  matched: eth2
Delete 2 objects? [yes,no] (no) 
[edit interfaces]
+   eth2 {
+       unit 0 {
+           family inet {
+               filter {
+                   input F;
+               }
+           }
+       }
+   }
+   eth10 {
+       description x;
+   }
  matched: eth1
  matched: eth2
Delete 2 objects? [yes,no] (no) 
eth10 {
    description x;
}
error: nothing under snmp matches zz
wildcard delete interfaces
                           ^
syntax error, expecting <regular-expression>.
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}
