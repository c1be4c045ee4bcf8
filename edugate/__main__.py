from edugate.cli import main

main()
