from skf.cli import main

main()
