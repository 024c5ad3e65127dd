package embedded

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// A handle's owner is "host:pid:start", start being the process start time
// from /proc, so that a handle left by a process that died (kill -9) is
// recognised as dead even if its pid was reused. Dead handles are pruned
// wherever open handles are counted: they must not make a pool or container
// look busy forever.

var hostname = func() string { h, _ := os.Hostname(); return h }()

func processOwner() string {
	pid := os.Getpid()
	return fmt.Sprintf("%s:%d:%s", hostname, pid, procStart(pid))
}

// procStart returns field 22 of /proc/PID/stat (start time in clock ticks),
// or "" if the process does not exist or has ended: a zombie (state Z or
// X) that its parent has not reaped yet is dead too, and a process killed
// after its parent exited may stay one for as long as init leaves it.
func procStart(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The command name (field 2) may hold spaces; fields resume after ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return ""
	}
	return f[19]
}

// ownerAlive reports whether the process that opened a handle still runs.
// A handle from another host is assumed alive: its process cannot be seen.
func ownerAlive(owner string) bool {
	parts := strings.SplitN(owner, ":", 3)
	if len(parts) != 3 || parts[0] != hostname {
		return true
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil {
		return true
	}
	start := procStart(pid)
	return start != "" && start == parts[2]
}

// liveHandles counts the handles a query (selecting id, owner) returns
// whose process is alive; in a write transaction it also deletes the others
// (and the container handles under them).
func liveHandles(t *tx, query string, args ...any) (int, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return 0, err
	}
	var dead []int64
	live := 0
	for rows.Next() {
		var id int64
		var owner string
		if err := rows.Scan(&id, &owner); err != nil {
			rows.Close()
			return 0, err
		}
		if ownerAlive(owner) {
			live++
		} else {
			dead = append(dead, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if !t.write {
		return live, nil
	}
	for _, id := range dead {
		if _, err := t.exec(`DELETE FROM handles WHERE id = ? OR parent = ?`, id, id); err != nil {
			return 0, err
		}
	}
	return live, nil
}
