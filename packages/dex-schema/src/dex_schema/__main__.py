from ._jsonschema import main

main()
