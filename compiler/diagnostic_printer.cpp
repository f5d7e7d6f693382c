// diagnostic_printer.cpp — placeholder, being written.
