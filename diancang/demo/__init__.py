"""The bundled demo: its site (``site/``, a municipal portal in miniature), the server that
serves it on 127.0.0.1 (``server``, which tests' fixture sites use too:
``python -m diancang.demo.server DIR``), and ``diancang demo`` (``run``)."""
