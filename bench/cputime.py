"""Runs a command, passing its stdout through, and writes the CPU seconds (user + system) it and
its children used to the file named first: the load generator's share of the 2 cores."""
import resource
import subprocess
import sys

path, command = sys.argv[1], sys.argv[2:]
result = subprocess.run(command)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(path, "w") as out:
    out.write(f"{usage.ru_utime + usage.ru_stime}\n")
sys.exit(result.returncode)
