/** Where Debian's `dataset-fashion-mnist` package installs the gzipped IDX files. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

/** Class names of Fashion-MNIST, by label. */
export const FASHION_MNIST_CLASSES: ReadonlyArray<string> = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
