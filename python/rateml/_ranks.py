"""The processes that share one fit: the ranks of an MPI job when a launcher
(mpirun, srun) started this process, else this process alone
(docs/fitting.md, "Across MPI ranks"). mpi4py is imported only under a
launcher, because importing it initialises MPI, which a plain process must
never do.
"""
import contextlib
import functools
import os


class RankError(RuntimeError):
    """A step failed on some rank of an MPI job; raised on every rank, with
    the first failed rank and its cause."""


def _launched():
    """Whether a launcher started this process, by the variables it sets:
    OMPI_COMM_WORLD_SIZE (Open MPI's mpirun), PMI_RANK (MPICH's mpiexec,
    srun --mpi=pmi2), PMIX_RANK (srun --mpi=pmix, Open MPI 5)."""
    return any(variable in os.environ for variable in
               ("OMPI_COMM_WORLD_SIZE", "PMI_RANK", "PMIX_RANK"))


def launcher_rank():
    """This process's rank as its launcher numbered it (0 without one),
    known before MPI is set up: for a message every rank would print alike,
    such as a malformed argument."""
    for variable in ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"):
        if variable in os.environ:
            try:
                return int(os.environ[variable])
            except ValueError:
                return 0
    return 0


class _Alone:
    """One process: no messages, and a failure is raised as it was."""
    rank, size, launched = 0, 1, False

    def allgather(self, value):
        return [value]

    @contextlib.contextmanager
    def together(self):
        yield


class _Mpi:
    def __init__(self):
        try:
            from mpi4py import MPI
        except ImportError:
            raise ImportError("an MPI launcher started this process, and "
                              "rateml's ranks need mpi4py (Debian: "
                              "python3-mpi4py)") from None
        self._comm = MPI.COMM_WORLD
        self.rank, self.size = self._comm.Get_rank(), self._comm.Get_size()
        self.launched = True

    def allgather(self, value):
        """Every rank's `value`, in rank order, on every rank."""
        return self._comm.allgather(value)

    @contextlib.contextmanager
    def together(self):
        """Runs the block on every rank, then tells every rank whether it
        failed anywhere: if so, each raises RankError naming the first
        failed rank and its cause, so no rank waits for one that gave up."""
        cause = None
        try:
            yield
        except Exception as e:  # any cause: the other ranks must hear of it
            cause = str(e) or type(e).__name__
        failed = [(rank, c) for rank, c in enumerate(self.allgather(cause))
                  if c is not None]
        if failed:
            rank, cause = failed[0]
            raise RankError(f"rank {rank} of {self.size}: {cause}")


@functools.cache
def world():
    """This process's ranks: rank, size, launched (a launcher started it,
    even as the only rank), allgather(value) and together(), a block that
    fails on every rank if it failed on any."""
    return _Mpi() if _launched() else _Alone()
