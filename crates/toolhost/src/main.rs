fn main() {
    std::process::exit(toolhost::cli::main())
}
