#pragma once
// The node layer under `facts` and `doctor`, one header per concern:
//   probe_fs       files, directories, stat(), programs on PATH, the cache of derived values
//   probe_process  running programs (csync2's checks, version texts)
//   probe_procfs   the host name, lsyncd in /proc and its inotify watches, the watch limit
//   probe_csync2   where csync2 is and where it keeps its files
//   probe_csync2db csync2's SQLite databases
//   probe_net      TCP connects to the peers' listeners
// What they return is plain data that facts.cpp and doctor.cpp judge with pure functions; a
// failure is a Result or Status (result.hpp) that says why.

#include "probe_csync2.hpp"
#include "probe_csync2db.hpp"
#include "probe_fs.hpp"
#include "probe_net.hpp"
#include "probe_process.hpp"
#include "probe_procfs.hpp"
