/** `completion bash|zsh`: prints a shell completion script of every command and option. */
import { Argument, type Command } from 'commander';
import { bashCompletion, zshCompletion } from '../completion';

/** Registers `completion SHELL`. */
export function registerCompletion(program: Command): void {
  program.command('completion')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .description('print a shell completion script: `source <(s3-connector completion bash)`, or add that line to ~/.bashrc (zsh: ~/.zshrc with zsh)')
    .exitOverride()
    .action(async (shell: 'bash' | 'zsh') => {
      // The script lists every command: build the whole program, not only this command's part.
      const { buildProgram } = await import('../cli');
      const full = await buildProgram();
      process.stdout.write(shell === 'bash' ? bashCompletion(full) : zshCompletion(full));
    });
}
