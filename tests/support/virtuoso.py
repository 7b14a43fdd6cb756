"""A real Virtuoso server for the tests, from Debian's ``virtuoso-opensource`` package, on loopback ports.

:func:`ensure_virtuoso` finds ``virtuoso-t`` and ``isql-vt``; when they are missing and the tests run as root
on a Debian-like system, it installs the package (``apt-get update`` then
``DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource``), with a temporary
``/usr/sbin/policy-rc.d`` so that the package's own system service is not started. Otherwise it returns the
reason to skip.

:func:`virtuoso_server` writes its own ``virtuoso.ini`` in a temporary folder (database, logs and HTTP root
there; SQL and HTTP ports chosen free and bound to 127.0.0.1 only; no VAD packages installed), starts
``virtuoso-t -f``, waits until the SPARQL endpoint answers, then with ``isql-vt`` gives ``dba`` a random
password and creates a user with a random password, granted ``SPARQL_UPDATE`` and write access to graphs,
for the Digest-authenticated endpoints ``/sparql-auth`` and ``/sparql-graph-crud-auth``. It stops the server
on exit.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .servers import free_port, stop_process, wait_for_http

PACKAGE = "virtuoso-opensource"
#: Seconds the last install took (None when nothing was installed in this session).
INSTALL_SECONDS: dict[str, float] = {}

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = {dir}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
VADInstallDir = {dir}/vad
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxMemPoolSize = 20000000
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/vsp
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


@dataclass
class VirtuosoServer:
    base: str
    http_port: int
    sql_port: int
    user: str
    password: str
    dba_password: str
    folder: Path
    process: subprocess.Popen

    @property
    def sparql_url(self) -> str:
        """The public, read-only endpoint (its default graph is the union of all graphs)."""
        return f"{self.base}/sparql"

    @property
    def sparql_auth_url(self) -> str:
        """The Digest-authenticated endpoint that also takes SPARQL Update."""
        return f"{self.base}/sparql-auth"

    @property
    def gsp_auth_url(self) -> str:
        """The Digest-authenticated Graph Store protocol endpoint (``?graph-uri=``)."""
        return f"{self.base}/sparql-graph-crud-auth"

    def isql(self, sql: str, password: str | None = None) -> str:
        return _isql(self.sql_port, password or self.dba_password, sql)


def _binaries() -> tuple[str | None, str | None]:
    return shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")


def ensure_virtuoso() -> str | None:
    """None when Virtuoso can run here (installing it if needed and possible), else the reason it cannot."""
    server, isql = _binaries()
    if server and isql:
        return None
    if os.name != "posix" or os.geteuid() != 0:
        return f"Virtuoso is not installed and the tests are not root: apt-get install {PACKAGE}"
    if not shutil.which("apt-get"):
        return f"Virtuoso is not installed and there is no apt-get to install {PACKAGE}"
    policy = Path("/usr/sbin/policy-rc.d")
    made_policy = False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    start = time.monotonic()
    try:
        if not policy.exists():
            policy.write_text("#!/bin/sh\n# written by rtopkg's tests while installing Virtuoso: start no service\n"
                              "exit 101\n")
            policy.chmod(0o755)
            made_policy = True
        for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", PACKAGE]):
            done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
            if done.returncode != 0:
                tail = done.stdout.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
                return f"installing {PACKAGE} failed ({' '.join(cmd)}: {tail[0]})"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"installing {PACKAGE} failed: {exc}"
    finally:
        if made_policy:
            with contextlib.suppress(OSError):
                policy.unlink()
    INSTALL_SECONDS[PACKAGE] = time.monotonic() - start
    server, isql = _binaries()
    if not (server and isql):
        return f"{PACKAGE} is installed but virtuoso-t or isql-vt is missing"
    return None


def _isql(port: int, password: str, sql: str, user: str = "dba") -> str:
    _, isql = _binaries()
    done = subprocess.run([isql, f"127.0.0.1:{port}", user, password, f"exec={sql}"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=60)
    out = done.stdout.decode("utf-8", "replace")
    if done.returncode != 0 or "*** Error" in out:
        raise RuntimeError(f"isql failed on {sql!r}: {out.strip()[-500:]}")
    return out


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[VirtuosoServer]:
    """Start a fresh Virtuoso in ``folder`` (see the module docstring); stop it on exit."""
    server_bin, _ = _binaries()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vsp").mkdir(exist_ok=True)
    (folder / "vad").mkdir(exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    log = open(folder / "stdout.log", "wb")
    process = subprocess.Popen([server_bin, "-f", "+configfile", str(folder / "virtuoso.ini")], cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_for_http(f"{base}/sparql?query=ASK%7B%7D", seconds=120, process=process)
        dba_password = secrets.token_hex(12)
        user, password = "rtopkg", secrets.token_hex(12)
        _isql(sql_port, "dba", f"USER_SET_PASSWORD('dba', '{dba_password}')")
        _isql(sql_port, dba_password, f"DB.DBA.USER_CREATE('{user}', '{password}')")
        _isql(sql_port, dba_password, f'GRANT SPARQL_UPDATE TO "{user}"')
        _isql(sql_port, dba_password, f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{user}', 7)")
        yield VirtuosoServer(base, http_port, sql_port, user, password, dba_password, folder, process)
    finally:
        stop_process(process, 30)
        log.close()
