import { mount } from 'svelte';
import App from './App.svelte';
import './styles/tokens.css';
import { installPalette } from './lib/tokens';

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');

installPalette();

export default mount(App, { target });
