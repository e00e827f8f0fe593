from xltool.cli import run

if __name__ == "__main__":  # not when a "spawn" worker imports it
    run()
