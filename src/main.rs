fn main() -> std::process::ExitCode {
    storelab::cli::main()
}
