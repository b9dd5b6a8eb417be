//! The `surestep` binary: parse, run, exit. Everything else lives in the library.

fn main() -> std::process::ExitCode {
    surestep::main_with_args().into()
}
