# Runs inside the sandbox as the package's user: imports the modules named on its command line and calls what
# they offer a user's program — every public function and class the package defines there, and the public
# methods of each class's instance — with placeholder arguments. A payload that waits in an exported function
# (`perm(private_key)` posting to a tunnel, a constructor starting a hidden shell) runs here, under the same
# trace as install and import. Each call runs in a child process of its own under a time limit, so a call that
# hangs, exits or crashes costs only itself.
# A dependency the sandbox does not have (the package runs alone, nothing it requires is installed) would stop the
# import before the package's own code ran: when an import fails for want of another module, it is tried again
# with stand-ins for what is missing, objects that accept any use and do nothing.
# The same goes for a setup.py, which the install steps run through here: `import git` in an install hook is no
# reason to stop before the hook's payload.
#   python3 exercise.py MODULE...         import each module, then call what it offers
#   python3 exercise.py --load MODULE     import it only (the load step)
#   python3 exercise.py --main MODULE     run it as `python -m MODULE` would
#   python3 exercise.py --setup ARG...    run ./setup.py as `python setup.py ARG...` would (the install steps)
# Only what every step needs: a load step is one short process of many, and under strace each module the exerciser
# imports costs a share of it. The call step imports its own tools (inspect, asyncio, threading) when it starts.
import importlib
import importlib.machinery
import os
import runpy
import signal
import sys
import time
import types

CALL_SECONDS = 2
# the file handed where a function wants a path (the same name as exercise.cjs and steps.ts's PLACEHOLDER_INPUT)
INPUT = '/tmp/gatehouse-input.txt'
# where the package's files are (runner.ts binds them there)
PACKAGE_ROOT = '/gh/pkg'
MAX_CALLS = 48
BUDGET_SECONDS = 14
# Values a caller would pass, by parameter name; anything else gets a short string.
PLACEHOLDERS = (
    (('url', 'uri', 'endpoint', 'link', 'webhook'), 'https://example.com/'),
    (('path', 'file', 'dir', 'folder', 'filename'), INPUT),
    (('host', 'server', 'domain', 'address'), 'example.com'),
    (('port',), 8080),
    (('count', 'num', 'size', 'n', 'length', 'limit', 'timeout', 'retries', 'index', 'amount'), 1),
    (('data', 'content', 'text', 'message', 'msg', 'body', 'payload'), 'hello'),
)
BY_TYPE = {int: 1, float: 1.0, bool: False, list: [], dict: {}, bytes: b'hello', str: 'hello'}

started = time.monotonic()
calls = 0


def placeholder(param):
    if param.annotation in BY_TYPE:
        return BY_TYPE[param.annotation]
    name = param.name.lower()
    for words, value in PLACEHOLDERS:
        if any(name == w or name.endswith('_' + w) or name.startswith(w + '_') for w in words):
            return value
    return 'hello'


def arguments(target):
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return [], {}
    args, kwargs = [], {}
    for p in sig.parameters.values():
        if p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = placeholder(p)
        else:
            args.append(placeholder(p))
    return args, kwargs


class StandInType(type):
    """The class of what a missing module offers: any attribute is another stand-in, calling makes one."""

    def __getattr__(cls, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return stand_in(name)

    def __iter__(cls):
        return iter(())

    def __getitem__(cls, key):
        return stand_in('item')


def operators(result):
    """Arithmetic and bitwise operators, answered with a stand-in: what a module builds from what it imports (`'amount' / Int64ul`, `Flag.A | Flag.B`)."""
    names = ('add', 'sub', 'mul', 'matmul', 'truediv', 'floordiv', 'mod', 'pow', 'lshift', 'rshift', 'and', 'xor', 'or')
    table = {}
    for op in names:
        table[f'__{op}__'] = table[f'__r{op}__'] = result
    table['__neg__'] = table['__pos__'] = table['__invert__'] = result
    return table


for _name, _method in operators(lambda cls, *other: cls).items():
    setattr(StandInType, _name, _method)


class StandIn(metaclass=StandInType):
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return stand_in(name)()

    def __call__(self, *args, **kwargs):
        return stand_in('result')()

    def __iter__(self):
        return iter(())

    def __getitem__(self, key):
        return stand_in('item')()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __bool__(self):
        return False

    def __len__(self):
        return 0

    def __str__(self):
        return ''


for _name, _method in operators(lambda self, *other: self).items():
    setattr(StandIn, _name, _method)


def stand_in(name):
    # a class, so that a module may subclass it (`class Bot(telegram.Client)`) as well as call it
    return StandInType(str(name), (StandIn,), {})


class StandInModule(types.ModuleType):
    __all__ = []
    __path__ = []

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return stand_in(name)


def importer_is_package():
    """Whether the import being resolved was written in the package's own files (code they exec'd counts as theirs)."""
    frame = sys._getframe(2)
    while frame is not None:
        file = frame.f_code.co_filename
        # the import machinery, this file, and code compiled from a string are not where the import was written
        if file != __file__ and not file.startswith('<') and os.path.isabs(file):
            return file.startswith(PACKAGE_ROOT + '/')
        frame = frame.f_back
    return False


class StandInFinder:
    """Last on the import path: answers the package's own imports of modules nothing else found."""

    def find_spec(self, name, path, target=None):
        # never the standard library's: `try: import _winapi` / `import winreg` is how code tells which system it is on
        # (on the Windows persona its Windows-only modules are there); nor an installed library's (setuptools, the
        # standard library) probing for an optional module it can do without
        top = name.split('.')[0]
        if (top in sys.stdlib_module_names and not (windows and top in WINDOWS_ONLY_MODULES)) or not importer_is_package():
            return None
        if windows and name in ('winreg', '_winreg'):
            # the registry is kept as files the trace sees written (windows_registry.py)
            from importlib.util import spec_from_file_location

            return spec_from_file_location(name, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'windows_registry.py'))
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        return StandInModule(spec.name)

    def exec_module(self, module):
        pass


def with_stand_ins(load, name):
    """Runs load(); when it fails for want of another module, forgets what it half-imported and tries once more with stand-ins."""
    try:
        return load()
    except ModuleNotFoundError as err:
        top = name.split('.')[0]
        if not err.name or err.name.split('.')[0] == top or any(isinstance(f, StandInFinder) for f in sys.meta_path):
            raise
    for loaded in list(sys.modules):
        if loaded == top or loaded.startswith(top + '.'):
            del sys.modules[loaded]
    sys.meta_path.append(StandInFinder())
    return load()


def logged_in():
    """A user at a terminal has a login name; the sandbox has no terminal, where os.getlogin() raises. The persona's user answers."""
    real = os.getlogin

    def getlogin():
        try:
            return real()
        except OSError:
            return os.environ.get('LOGNAME') or os.environ.get('USER') or real()

    os.getlogin = getlogin


# The standard library's Windows-only modules. On the Windows persona a package's own import of one gets a stand-in
# (`import winreg` is where a Windows payload starts, not where it should stop); elsewhere the real ImportError.
WINDOWS_ONLY_MODULES = frozenset({'winreg', '_winreg', 'msvcrt', 'winsound', '_winapi', 'nt', '_overlapped'})
# subprocess' Windows constants (their Windows values), which a Windows payload passes to hide its window
WINDOWS_PROCESS_CONSTANTS = {
    'CREATE_NEW_CONSOLE': 0x10,
    'CREATE_NEW_PROCESS_GROUP': 0x200,
    'CREATE_NO_WINDOW': 0x8000000,
    'DETACHED_PROCESS': 0x8,
    'CREATE_DEFAULT_ERROR_MODE': 0x4000000,
    'CREATE_BREAKAWAY_FROM_JOB': 0x1000000,
    'HIGH_PRIORITY_CLASS': 0x80,
    'NORMAL_PRIORITY_CLASS': 0x20,
    'STARTF_USESHOWWINDOW': 0x1,
    'STARTF_USESTDHANDLES': 0x100,
    'SW_HIDE': 0,
    'STD_INPUT_HANDLE': -10,
    'STD_OUTPUT_HANDLE': -11,
    'STD_ERROR_HANDLE': -12,
}
windows = False


def package_code(file):
    """Whether code of this file is the package's: its files, or code it compiled from a string (`<string>`)."""
    return not file.startswith('<frozen') and (file.startswith(PACKAGE_ROOT + '/') or not os.path.isabs(file))


def asked_by_package(through=()):
    """Whether the code asking (the caller of the function that calls this, past frames of the files `through`) is the package's."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename in through:
        frame = frame.f_back
    return frame is not None and package_code(frame.f_code.co_filename)


def as_windows():
    """
    The Windows persona: the package is told it runs on Windows 10 (`os.name`, `sys.platform`, `platform`), so a
    payload that acts only there (a PowerShell launcher, a dropped .exe, a Startup-folder copy) runs its branch. The
    answers depend on who asks: the package's own code (and code it execs) hears Windows; the standard library,
    setuptools and requests hear Linux, so the interpreter keeps working underneath (subprocess starts processes,
    pathlib makes POSIX paths, setuptools installs). Paths are POSIX paths in the persona's home (APPDATA and TEMP
    point into it), and what Windows would do with a file or a hidden window is done as near as Linux can, so the
    trace shows the attempt: `os.startfile(exe)` executes the file, `subprocess` accepts and ignores window flags.
    """
    global windows
    windows = True
    import platform
    import subprocess
    import ctypes

    def answer(windows_answer, linux_answer):
        return lambda *args, **kwargs: (windows_answer if asked_by_package() else linux_answer)(*args, **kwargs)

    class WindowsSys(types.ModuleType):
        platform = property(lambda self: 'win32' if asked_by_package() else 'linux')

    class WindowsOs(types.ModuleType):
        name = property(lambda self: 'nt' if asked_by_package() else 'posix')

    sys.__class__ = WindowsSys
    os.__class__ = WindowsOs
    release, version, machine = '10', '10.0.19045', 'AMD64'
    node = platform.node()
    windows_answers = {
        'system': lambda: 'Windows',
        'release': lambda: release,
        'version': lambda: version,
        'machine': lambda: machine,
        'platform': lambda *args, **kwargs: f'Windows-{release}-{version}-SP0',
        'win32_ver': lambda *args, **kwargs: (release, version, 'SP0', 'Multiprocessor Free'),
        'win32_edition': lambda: 'Professional',
        'uname': lambda: platform.uname_result('Windows', node, release, version, machine),
    }
    for name, windows_answer in windows_answers.items():
        setattr(platform, name, answer(windows_answer, getattr(platform, name)))

    # window and console flags mean nothing to Linux's Popen, which refuses them; Windows would start the process
    class STARTUPINFO:
        def __init__(self, *, dwFlags=0, hStdInput=None, hStdOutput=None, hStdError=None, wShowWindow=0, lpAttributeList=None):
            self.dwFlags, self.wShowWindow = dwFlags, wShowWindow
            self.hStdInput, self.hStdOutput, self.hStdError = hStdInput, hStdOutput, hStdError
            self.lpAttributeList = lpAttributeList or {}

    subprocess.STARTUPINFO = STARTUPINFO
    for name, value in WINDOWS_PROCESS_CONSTANTS.items():
        setattr(subprocess, name, value)
    popen_init = subprocess.Popen.__init__

    def popen(self, args, *rest, **kwargs):
        kwargs.pop('startupinfo', None)
        kwargs.pop('creationflags', None)
        # Windows runs a shell command with cmd.exe: the persona's cmd (windows-commands.py) reads it as Windows
        # would (`start "" %TEMP%\x.exe`, backslashes and all), where /bin/sh would take the backslashes for escapes
        if kwargs.get('shell') and not kwargs.get('executable') and asked_by_package(through=(subprocess.__file__, os.__file__)):
            kwargs['shell'] = False
            args = ['cmd', '/c', args if isinstance(args, (str, bytes)) else subprocess.list2cmdline(args)]
        popen_init(self, args, *rest, **kwargs)

    subprocess.Popen.__init__ = popen
    os.system = answer(lambda command: subprocess.call(['cmd', '/c', command]), os.system)

    def startfile(path, operation=None, *args, **kwargs):
        # Windows opens the file with its program, as `start` does (windows-commands.py): an .exe or a script runs,
        # and a file Linux cannot run fails quietly, as a started program would not
        path = os.fspath(path)
        if '://' in path:
            return
        if not os.path.exists(path):
            raise FileNotFoundError(2, 'The system cannot find the file specified', path)
        subprocess.Popen(['start', '', os.path.abspath(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    os.startfile = startfile

    # the DLL loaders: calls into Windows' DLLs (a message box, hiding the console) do nothing
    for name in ('windll', 'oledll', 'WinDLL', 'OleDLL', 'WINFUNCTYPE', 'WinError', 'FormatError', 'GetLastError', 'HRESULT'):
        setattr(ctypes, name, stand_in(name))


def on_alarm(signum, frame):
    raise TimeoutError('gatehouse: call time limit')


def settle(result):
    """Awaits a coroutine, advances a generator a little, and lets threads the call started run for a moment."""
    if inspect.iscoroutine(result):
        asyncio.run(asyncio.wait_for(result, CALL_SECONDS))
    elif inspect.isgenerator(result):
        for _, _ in zip(range(3), result):
            pass
    deadline = time.monotonic() + 1
    for t in threading.enumerate():
        if t is not threading.current_thread():
            t.join(max(0, deadline - time.monotonic()))


def call(target, *, methods=False):
    signal.alarm(CALL_SECONDS)
    try:
        args, kwargs = arguments(target)
        result = target(*args, **kwargs)
        settle(result)
        if methods:
            for name in sorted(vars(type(result))):
                member = getattr(result, name, None)
                if not name.startswith('_') and (inspect.ismethod(member) or inspect.isfunction(member)):
                    signal.alarm(CALL_SECONDS)
                    try:
                        margs, mkwargs = arguments(member)
                        settle(member(*margs, **mkwargs))
                    except BaseException:
                        pass
    except BaseException:
        pass
    finally:
        signal.alarm(0)


def run_in_child(target, methods):
    """Calls target in a forked child and waits for it, killing it past its limit."""
    global calls
    calls += 1
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGALRM, on_alarm)
        call(target, methods=methods)
        os._exit(0)
    limit = time.monotonic() + CALL_SECONDS * (8 if methods else 2)
    while time.monotonic() < limit:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.02)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def ours(obj, package):
    module = getattr(obj, '__module__', None) or ''
    return module == package or module.startswith(package + '.')


def main():
    # imported from the working directory, as `python -c 'import …'` there would (a script's own folder comes first otherwise)
    sys.path[0] = os.getcwd()
    logged_in()
    # the runner marks the Windows persona; the mark is gone before the package's code could read it
    if os.environ.pop('GATEHOUSE_SYSTEM', None) == 'windows':
        as_windows()
    if len(sys.argv) >= 2 and sys.argv[1] == '--setup':
        sys.argv = ['setup.py', *sys.argv[2:]]
        # by its absolute path, as Python names a script given on its command line
        with_stand_ins(lambda: runpy.run_path(os.path.abspath('setup.py'), run_name='__main__'), 'setup')
        return
    if len(sys.argv) == 3 and sys.argv[1] in ('--load', '--main'):
        name = sys.argv[2]
        if sys.argv[1] == '--load':
            with_stand_ins(lambda: importlib.import_module(name), name)
        else:
            sys.argv = [name]
            with_stand_ins(lambda: runpy.run_module(name, run_name='__main__', alter_sys=True), name)
        return
    global asyncio, inspect, threading
    import asyncio
    import inspect
    import threading

    with open(INPUT, 'w') as f:
        f.write('hello\n')
    seen = set()
    for name in sys.argv[1:]:
        try:
            module = with_stand_ins(lambda: importlib.import_module(name), name)
        except BaseException:
            continue
        package = name.split('.')[0]
        for attr in sorted(vars(module)):
            if attr.startswith('_') or calls >= MAX_CALLS or time.monotonic() - started > BUDGET_SECONDS:
                continue
            obj = vars(module)[attr]
            if id(obj) in seen or not ours(obj, package):
                continue
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                seen.add(id(obj))
                run_in_child(obj, True)
            elif inspect.isfunction(obj) or inspect.iscoroutinefunction(obj):
                seen.add(id(obj))
                run_in_child(obj, False)
    os._exit(0)


main()
