from xltool.cli import run

run()
