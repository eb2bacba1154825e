import { describe, expect, it } from 'vitest';
import { DTypeError, GraphBuilder, GraphError, hostTensor, Node, printGraph, ShapeError, UnsupportedOpError, verifyGraph } from '../../ir/index.js';

describe('GraphBuilder inference', () => {
  it('infers broadcast shapes, symbolic dims included', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', ['N', 1, 5]);
    const y = b.input('y', 'f32', [3, 1]);
    expect(b.op('add', [x, y]).type.shape).toEqual(['N', 3, 5]);
    expect(b.op('matmul', [b.input('a', 'f32', ['N', 4]), b.input('w', 'f32', [4, 10])]).type.shape).toEqual(['N', 10]);
  });

  it('names the node and the shapes in errors', () => {
    const b = new GraphBuilder();
    const a = b.input('a', 'f32', [2, 3]);
    const w = b.input('w', 'f32', [4, 5]);
    expect(() => b.op('matmul', [a, w], {}, 'fc1')).toThrowError(ShapeError);
    expect(() => b.op('matmul', [a, w], {}, 'fc1')).toThrowError(/matmul 'fc1'.*\[2,3\] @ \[4,5\]/);
    expect(() => b.op('add', [a, b.input('i', 'i32', [2, 3])], {}, 'mix')).toThrowError(DTypeError);
    expect(() => b.op('frobnicate', [a], {}, 'f')).toThrowError(UnsupportedOpError);
    expect(() => b.op('relu', [a], { alpha: 1 }, 'r')).toThrowError(/unknown attribute 'alpha'/);
  });
});

describe('verifyGraph', () => {
  it('accepts a well-formed graph', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2]);
    b.output(b.op('exp', [b.op('neg', [x])]), 'y');
    expect(() => verifyGraph(b.graph)).not.toThrow();
  });

  it('finds dangling inputs and cycles, naming the node', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2]);
    const y = b.op('neg', [x], {}, 'n1');
    const z = b.op('exp', [y], {}, 'n2');
    b.output(z);
    // A cycle: n1 now reads n2's output, which is produced after it.
    b.graph.nodes[0].inputs = [z];
    expect(() => verifyGraph(b.graph)).toThrowError(/neg 'n1'.*produced later/);
    const orphan = b.graph.newValue({ dtype: 'f32', shape: [2] }, 'orphan');
    b.graph.nodes[0].inputs = [orphan];
    expect(() => verifyGraph(b.graph)).toThrowError(GraphError);
    expect(() => verifyGraph(b.graph)).toThrowError(/neg 'n1'.*dangling/);
  });

  it('finds recorded types that contradict inference', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [2]);
    const bad = b.graph.newValue({ dtype: 'f32', shape: [3] }, 'bad');
    b.graph.nodes.push(new Node(99, 'neg', [x], [bad], {}, 'liar'));
    expect(() => verifyGraph(b.graph)).toThrowError(/neg 'liar'.*infers to f32\[2\]/);
  });
});

describe('printGraph', () => {
  it('prints one node per line with types and attributes', () => {
    const b = new GraphBuilder('mlp');
    const x = b.input('x', 'f32', ['N', 4]);
    const w = b.constant(hostTensor('f32', [4, 2], new Float32Array(8)), 'w');
    b.output(b.op('leakyRelu', [b.op('matmul', [x, w], {}, 'fc')], { alpha: 0.1 }, 'act'));
    expect(printGraph(b.graph)).toBe(
      [
        'graph mlp(%x: f32[N,4]) {',
        '  %w = const : f32[4,2]',
        '  %fc = matmul(%x, %w) : f32[N,2]',
        '  %act = leakyRelu(%fc) {alpha=0.1} : f32[N,2]',
        '  return %act',
        '}',
      ].join('\n'),
    );
  });
});
