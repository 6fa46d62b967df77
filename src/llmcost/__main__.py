from llmcost.cli.app import main

main()
