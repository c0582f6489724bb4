// Files the project writes, as DESIGN.md promises them: each output goes to a
// unique temporary file in the target's folder, every write, flush and close is
// checked, and it is renamed over the target, so the user sees the old file or
// the whole new one. No temporary survives an error or Ctrl-C, an input of the
// same command is never replaced, and neither is anything that is not a regular
// file (a symlink, a FIFO, a device such as /dev/null, a folder).
#pragma once

#include "prcm/status.h"

#include <string>
#include <vector>

namespace prcm {

// Checked before any work starts, so a long benchmark does not end in a write
// error: the folder exists and is writable, the path is not a folder, symlink,
// FIFO or device, and it is not the same file (device and inode) as any of
// `inputs`. Errors are ErrorKind::invalid.
Status check_output_path(const std::string &path, const std::vector<std::string> &inputs = {});

// Writes `bytes` to `path` atomically (see above). An existing target keeps its
// permission bits; a new one gets 0666 & ~umask, as an ordinary open() would.
// Errors (full disk, permissions) are ErrorKind::failed, except a refused path.
Status write_file_atomically(const std::string &path, const std::string &bytes);

// Removes the temporary files this process is writing at this moment.
// Async-signal-safe: the CLI's SIGINT/SIGTERM handler calls it before exiting.
void remove_temporary_files_now();

}  // namespace prcm
