#!/usr/bin/python3
"""
Windows' commands on the Windows persona's PATH, this one file linked under each name. A payload starts them by
name or through a shell (`os.system('start "" x.exe')`, `reg add …\\Run`); Linux has none of them, so without these
the shell would answer "not found" before anything reached the trace. Each does what Windows would do, as near as
Linux can, so the trace shows the attempt:

- `start` starts the program or opens the file it is given: a Python script with Python, anything else executed as
  it is (for an .exe or a .bat an attempt Linux refuses, which the trace records);
- `cmd /c` runs its command with /bin/sh, `%VARIABLES%` expanded and backslashes kept, as cmd keeps them;
- `reg add | delete | query` works on the registry the package's `winreg` sees (windows_registry.py);
- `schtasks /create` stores the task under ~/.windows/System32/Tasks, where Windows keeps its tasks' files;
- the rest (powershell, wscript, mshta, rundll32, taskkill, attrib…) succeed and do nothing: their command lines
  are in the trace, and a script or library they are handed is judged there.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import windows_registry as registry  # noqa: E402


def windows_paths(text):
    """
    Where a Windows path may be here, `%VARIABLES%` expanded: as written, backslashes and all (where the package's
    Python wrote `TEMP + '\\\\x.exe'`, a file of that name), then with backslashes as separators (`%TEMP%\\x.exe`
    is $TEMP/x.exe).
    """
    expanded = registry.ExpandEnvironmentStrings(text)
    return [expanded, expanded.replace('\\', '/')]


def existing(text):
    return next((path for path in windows_paths(text) if os.path.exists(path)), None)


def is_flag(arg):
    return arg.startswith('/') and len(arg) > 1 and '/' not in arg[1:] and not os.path.exists(arg)


def on_path(program):
    """Where a program named without a folder is found on PATH, if it is."""
    if not program or '/' in program:
        return None
    return next((os.path.join(d, program) for d in os.environ.get('PATH', '').split(':') if d and os.path.isfile(os.path.join(d, program))), None)


def run(argv):
    try:
        os.execv(argv[0], argv)
    except OSError:
        return 1


def start(args):
    args = [a for a in args if not is_flag(a)]
    # `start "title" program`: a first argument that is neither a file nor a program on PATH is the window's title
    if len(args) > 1 and (not args[0] or not (existing(args[0]) or on_path(args[0]))):
        args = args[1:]
    if not args or '://' in args[0]:
        return 0
    target = existing(args[0]) or on_path(args[0])
    if not target:
        print(f'The system cannot find the file {args[0]}.', file=sys.stderr)
        return 1
    if target.lower().endswith(('.py', '.pyw')):
        return run(['/usr/bin/python3', target, *args[1:]])
    return run([os.path.abspath(target), *args[1:]])


def cmd(args):
    for i, arg in enumerate(args):
        if arg.lower() in ('/c', '/k', '/r'):
            command = ' '.join(args[i + 1 :])
            # `/s`: the outer quotes around the whole command go, as Node.js quotes it for cmd
            if len(command) > 1 and command[0] == command[-1] == '"':
                command = command[1:-1]
            # cmd has no escape character in backslash: the shell is told to keep each, so the programs it starts
            # get the paths as written (`start` finds the file either way)
            return run(['/bin/sh', '-c', registry.ExpandEnvironmentStrings(command).replace('\\', '\\\\')])
    return 0


def option(args, name):
    lowered = [a.lower() for a in args]
    return args[lowered.index(name) + 1] if name in lowered and lowered.index(name) + 1 < len(args) else None


def reg(args):
    if len(args) < 2:
        return 1
    verb = args[0].lower()
    hive, sub_key = registry.path_key(args[1])
    default_value = '/ve' in (a.lower() for a in args)
    value_name = None if default_value else option(args, '/v')
    if verb == 'add':
        key = registry.CreateKey(hive, sub_key)
        if value_name is not None or default_value:
            kind = registry.TYPE_NAMES.get((option(args, '/t') or 'REG_SZ').upper(), registry.REG_SZ)
            registry.SetValueEx(key, value_name, 0, kind, option(args, '/d') or '')
        print('The operation completed successfully.')
        return 0
    try:
        key = registry.OpenKey(hive, sub_key)
        if verb == 'delete':
            if value_name is not None:
                registry.DeleteValue(key, value_name)
            else:
                registry.DeleteKey(hive, sub_key)
            print('The operation completed successfully.')
        elif verb == 'query':
            print(args[1])
            i = 0
            while True:
                try:
                    name, value, kind = registry.EnumValue(key, i)
                except OSError:
                    break
                if value_name is None or name.lower() == value_name.lower():
                    type_name = next((n for n, t in registry.TYPE_NAMES.items() if t == kind), 'REG_SZ')
                    print(f'    {name or "(Default)"}    {type_name}    {value}')
                i += 1
        return 0
    except OSError:
        print('ERROR: The system was unable to find the specified registry key or value.', file=sys.stderr)
        return 1


def schtasks(args):
    if '/create' in (a.lower() for a in args):
        name = (option(args, '/tn') or 'Task').replace('\\', '/').strip('/')
        task = registry.windows_folder('System32', 'Tasks', name)
        # asked first: even a mkdir of a folder that exists is an attempt the trace records as a write outside
        if not os.path.isdir(os.path.dirname(task)):
            os.makedirs(os.path.dirname(task))
        with open(task, 'w') as f:
            json.dump({'run': option(args, '/tr'), 'schedule': option(args, '/sc'), 'command': args}, f)
        print(f'SUCCESS: The scheduled task "{name}" has successfully been created.')
    return 0


COMMANDS = {'start': start, 'cmd': cmd, 'reg': reg, 'schtasks': schtasks}


def main():
    name = os.path.basename(sys.argv[0]).lower()
    if name.endswith('.exe'):
        name = name[:-4]
    handler = COMMANDS.get(name)
    return handler(sys.argv[1:]) if handler else 0


if __name__ == '__main__':
    sys.exit(main())
