from xltool.cli import main

main()
